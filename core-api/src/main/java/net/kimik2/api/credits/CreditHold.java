package net.kimik2.api.credits;

/** The answer to {@link HoldCreditsCommand}: the hold under that id, and whether this command created it. */
public record CreditHold(String holdId, long amount, String purposeId, boolean created) {
}
