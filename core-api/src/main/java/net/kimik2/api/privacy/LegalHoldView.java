package net.kimik2.api.privacy;

import java.time.Instant;

/** A legal hold in force: whose, placed by which admin, since when (the reason stays in the encrypted event). */
public record LegalHoldView(String userId, String placedBy, Instant placedAt) {
}
