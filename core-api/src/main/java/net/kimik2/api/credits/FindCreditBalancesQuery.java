package net.kimik2.api.credits;

import java.util.List;

/** Batch form of {@link FindCreditBalanceQuery}, so that a list of accounts costs one round trip. */
public record FindCreditBalancesQuery(List<String> userIds) {
}
