package net.kimik2.api.privacy;

/** Step 4 (lookup): frees the person's email and username so they may register again as a new person. */
public record ReleaseUniqueKeysCommand(String userId) {
}
