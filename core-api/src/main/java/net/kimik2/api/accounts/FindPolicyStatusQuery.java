package net.kimik2.api.accounts;

/** Answers {@link PolicyStatusView}. */
public record FindPolicyStatusQuery(String userId) {
}
