package net.kimik2.api.credits;

import net.kimik2.api.platform.PageRequest;

/** The newest entries of a user's ledger first; answers {@link LedgerPage}. */
public record FindCreditLedgerQuery(String userId, PageRequest page) {
}
