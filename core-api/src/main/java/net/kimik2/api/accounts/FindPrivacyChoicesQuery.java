package net.kimik2.api.accounts;

/** Answers {@link PrivacyChoicesView}. */
public record FindPrivacyChoicesQuery(String userId) {
}
