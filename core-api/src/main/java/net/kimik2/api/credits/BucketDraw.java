package net.kimik2.api.credits;

/** Credits taken from one grant bucket by a capture. */
public record BucketDraw(String grantId, long amount) {
}
