package net.kimik2.graphql.accounts;

import java.time.Instant;

/** The answer of a blocked mutation whose result union has this member (see {@link PolicyGate}). */
public record PolicyAcceptanceRequired(String currentVersion, Instant effectiveFrom) {
}
