package io.eskafka.examples;

import io.eskafka.decider.Decision;
import io.eskafka.decider.DeciderBuilder;
import io.eskafka.decider.TypedDecider;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.events.MoneyWithdrawn;
import io.eskafka.examples.bank.state.AccountStatus;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateDefinition;
import org.apache.avro.specific.SpecificRecord;

/**
 * Two logic versions of a small bank account for snapshot-invalidation tests. Version 1 has a bug
 * in {@code evolve}: a deposit does not change the balance, so its snapshots say 0 and withdrawals
 * are refused. Version 2 fixes {@code evolve} (balances from the amounts). Events are the same
 * (amounts are right in both), so replaying them with version 2 gives the true balance.
 */
final class BankLogic {

  private BankLogic() {}

  static AggregateDefinition<BankAccountState> version(String name, int logicVersion) {
    return new AggregateDefinition<>(name, decider(logicVersion >= 2), logicVersion);
  }

  private static TypedDecider<SpecificRecord, SpecificRecord, BankAccountState> decider(
      boolean fixed) {
    return DeciderBuilder.create(SpecificRecord.class, SpecificRecord.class,
            () -> new BankAccountState(AccountStatus.NOT_OPENED, null, 0L))
        .commands(OpenAccount.class, Deposit.class, Withdraw.class)
        .events(AccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class)
        .onCommand(OpenAccount.class, (open, s) -> s.getStatus() != AccountStatus.NOT_OPENED
            ? Decision.reject("account already opened")
            : Decision.accept(new AccountOpened(open.getOwner())))
        .onCommand(Deposit.class, (deposit, s) -> s.getStatus() != AccountStatus.OPEN
            ? Decision.reject("account is not open")
            : Decision.accept(new MoneyDeposited(deposit.getAmountCents(),
                s.getBalanceCents() + deposit.getAmountCents())))
        .onCommand(Withdraw.class, (withdraw, s) -> {
          if (withdraw.getAmountCents() > s.getBalanceCents()) {
            return Decision.reject("insufficient funds: balance " + s.getBalanceCents()
                + ", withdrawal " + withdraw.getAmountCents());
          }
          return Decision.accept(new MoneyWithdrawn(withdraw.getAmountCents(),
              s.getBalanceCents() - withdraw.getAmountCents()));
        })
        .onEvent(AccountOpened.class, (s, e) -> BankAccountState.newBuilder(s)
            .setStatus(AccountStatus.OPEN).setOwner(e.getOwner()).build())
        .onEvent(MoneyDeposited.class, (s, e) -> fixed
            ? BankAccountState.newBuilder(s).setBalanceCents(s.getBalanceCents()
                + e.getAmountCents()).build()
            : s) // the bug
        .onEvent(MoneyWithdrawn.class, (s, e) -> BankAccountState.newBuilder(s)
            .setBalanceCents(s.getBalanceCents() - e.getAmountCents()).build())
        .build();
  }
}
