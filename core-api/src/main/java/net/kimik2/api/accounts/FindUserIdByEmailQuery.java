package net.kimik2.api.accounts;

/**
 * The user id holding an exact email, found through its keyed hash (never by decrypting anyone's email). Answers
 * {@code Optional<String>}; for admins' people search (issue 12).
 */
public record FindUserIdByEmailQuery(String email) {
}
