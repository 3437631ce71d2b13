package io.eskafka.examples.bank;

import io.eskafka.examples.bank.commands.CloseAccount;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.examples.bank.events.AccountClosed;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.events.MoneyWithdrawn;
import io.eskafka.examples.bank.state.AccountStatus;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.testing.DeciderFixture;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Given/When/Then tests of the pure bank-account decider: no Kafka, milliseconds. */
class BankAccountTest {

  private final DeciderFixture<SpecificRecord, SpecificRecord, BankAccountState> account =
      DeciderFixture.of(BankAccount.decider());

  @Test
  void opensANewAccount() {
    account.whenNew(new OpenAccount("Ada"))
        .thenEvents(new AccountOpened("Ada"))
        .thenState(new BankAccountState(AccountStatus.OPEN, "Ada", 0L));
  }

  @Test
  void doesNotOpenTwice() {
    account.given(new AccountOpened("Ada")).when(new OpenAccount("Ada"))
        .thenRejected("account already opened");
  }

  @Test
  void depositsAndWithdrawsKeepingTheBalance() {
    account.given(new AccountOpened("Ada"), new MoneyDeposited(10_000L, 10_000L))
        .when(new Withdraw(3_000L))
        .thenEvents(new MoneyWithdrawn(3_000L, 7_000L))
        .thenState(new BankAccountState(AccountStatus.OPEN, "Ada", 7_000L));
  }

  @Test
  void refusesAnOverdraft() {
    account.given(new AccountOpened("Bob"), new MoneyDeposited(2_550L, 2_550L))
        .when(new Withdraw(50_000L))
        .thenRejected("insufficient funds: balance 2550, withdrawal 50000")
        .thenState(new BankAccountState(AccountStatus.OPEN, "Bob", 2_550L));
  }

  @Test
  void refusesNonPositiveAmounts() {
    account.given(new AccountOpened("Ada")).when(new Deposit(0L)).thenRejected("amount must be positive");
    account.given(new AccountOpened("Ada")).when(new Withdraw(-5L)).thenRejected("amount must be positive");
  }

  @Test
  void refusesMoneyMovesOnAnAccountThatIsNotOpen() {
    account.whenNew(new Deposit(100L)).thenRejected("account is not open");
    account.given(new AccountOpened("Ada"), new AccountClosed()).when(new Withdraw(1L))
        .thenRejected("account is not open");
  }

  @Test
  void closesOnlyAnEmptyAccount() {
    account.given(new AccountOpened("Ada"), new MoneyDeposited(1L, 1L)).when(new CloseAccount())
        .thenRejected("balance must be zero to close");
    account.given(new AccountOpened("Ada"), new MoneyDeposited(1L, 1L), new MoneyWithdrawn(1L, 0L))
        .when(new CloseAccount())
        .thenEvents(new AccountClosed())
        .thenState(new BankAccountState(AccountStatus.CLOSED, "Ada", 0L));
  }

  @Test
  void theReasonForClosingIsRecorded() {
    account.given(new AccountOpened("Ada")).when(new CloseAccount("moved abroad"))
        .thenEvents(new AccountClosed("moved abroad"));
  }
}
