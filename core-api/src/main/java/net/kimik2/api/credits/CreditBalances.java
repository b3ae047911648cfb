package net.kimik2.api.credits;

import java.util.List;

/** Answer of {@link FindCreditBalancesQuery}; users without a ledger view are absent. */
public record CreditBalances(List<CreditBalanceView> balances) {
}
