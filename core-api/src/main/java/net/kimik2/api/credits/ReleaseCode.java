package net.kimik2.api.credits;

/** Why held credits went back to the balance. */
public enum ReleaseCode {
    /** The hold was settled by its capture, which charges the actual cost right after. */
    SETTLED,
    /** The model call failed or answered nothing. */
    FAILED,
    /** The hold's deadline passed while it was still open (e.g. after a crash). */
    EXPIRED,
    /** A dispute hold whose dispute the merchant won. */
    DISPUTE_WON,
    /** A dispute hold turned into a write-off (the dispute was lost). */
    DISPUTE_LOST
}
