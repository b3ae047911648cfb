package net.kimik2.api.credits;

/**
 * The id of a user's credit ledger aggregate. Axon's event store keys streams by aggregate id alone, so the
 * ledger cannot reuse the bare user id of the account aggregate.
 */
public final class CreditLedgerId {

    private static final String PREFIX = "ledger-";

    private CreditLedgerId() {
    }

    public static String forUser(String userId) {
        return PREFIX + userId;
    }
}
