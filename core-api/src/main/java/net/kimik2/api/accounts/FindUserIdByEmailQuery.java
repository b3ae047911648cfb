package net.kimik2.api.accounts;

import net.kimik2.api.privacy.NotPersisted;

/**
 * The user id holding an exact email, found through its keyed hash (never by decrypting anyone's email). Answers
 * {@code Optional<String>}; for admins' people search (issue 12).
 */
@NotPersisted
public record FindUserIdByEmailQuery(String email) {

    @Override
    public String toString() {
        return "FindUserIdByEmailQuery[]";
    }
}
