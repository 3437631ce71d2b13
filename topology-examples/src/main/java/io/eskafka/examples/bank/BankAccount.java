package io.eskafka.examples.bank;

import io.eskafka.decider.Decision;
import io.eskafka.decider.DeciderBuilder;
import io.eskafka.decider.TypedDecider;
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
import org.apache.avro.specific.SpecificRecord;

/**
 * The bank account aggregate: open, deposit, withdraw (never below zero), close (when empty).
 * Pure functions over Avro records; nothing here knows about Kafka.
 */
public final class BankAccount {

  private BankAccount() {}

  /** The pure decider. */
  public static TypedDecider<SpecificRecord, SpecificRecord, BankAccountState> decider() {
    return DeciderBuilder.create(SpecificRecord.class, SpecificRecord.class, BankAccount::initial)
        .commands(OpenAccount.class, Deposit.class, Withdraw.class, CloseAccount.class)
        .events(AccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class, AccountClosed.class)
        .onCommand(OpenAccount.class, (open, s) -> s.getStatus() != AccountStatus.NOT_OPENED
            ? Decision.reject("account already opened")
            : Decision.accept(new AccountOpened(open.getOwner())))
        .onCommand(Deposit.class, (deposit, s) -> {
          if (s.getStatus() != AccountStatus.OPEN) return Decision.reject("account is not open");
          if (deposit.getAmountCents() <= 0) return Decision.reject("amount must be positive");
          long balance = s.getBalanceCents() + deposit.getAmountCents();
          return Decision.accept(new MoneyDeposited(deposit.getAmountCents(), balance));
        })
        .onCommand(Withdraw.class, (withdraw, s) -> {
          if (s.getStatus() != AccountStatus.OPEN) return Decision.reject("account is not open");
          if (withdraw.getAmountCents() <= 0) return Decision.reject("amount must be positive");
          if (withdraw.getAmountCents() > s.getBalanceCents()) {
            return Decision.reject("insufficient funds: balance " + s.getBalanceCents()
                + ", withdrawal " + withdraw.getAmountCents());
          }
          long balance = s.getBalanceCents() - withdraw.getAmountCents();
          return Decision.accept(new MoneyWithdrawn(withdraw.getAmountCents(), balance));
        })
        .onCommand(CloseAccount.class, (close, s) -> {
          if (s.getStatus() != AccountStatus.OPEN) return Decision.reject("account is not open");
          if (s.getBalanceCents() != 0) return Decision.reject("balance must be zero to close");
          return Decision.accept(new AccountClosed(close.getReason()));
        })
        .onEvent(AccountOpened.class, (s, e) -> BankAccountState.newBuilder(s)
            .setStatus(AccountStatus.OPEN).setOwner(e.getOwner()).build())
        .onEvent(MoneyDeposited.class, (s, e) -> BankAccountState.newBuilder(s)
            .setBalanceCents(e.getBalanceCents()).build())
        .onEvent(MoneyWithdrawn.class, (s, e) -> BankAccountState.newBuilder(s)
            .setBalanceCents(e.getBalanceAfterCents()).build())
        .onEvent(AccountClosed.class, (s, e) -> BankAccountState.newBuilder(s)
            .setStatus(AccountStatus.CLOSED).build())
        .build();
  }

  private static BankAccountState initial() {
    return new BankAccountState(AccountStatus.NOT_OPENED, null, 0L);
  }
}
