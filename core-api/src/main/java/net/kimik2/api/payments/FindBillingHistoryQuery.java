package net.kimik2.api.payments;

import net.kimik2.api.platform.PageRequest;

/** The newest billing entries of a user first; answers {@link BillingPage}. */
public record FindBillingHistoryQuery(String userId, PageRequest page) {
}
