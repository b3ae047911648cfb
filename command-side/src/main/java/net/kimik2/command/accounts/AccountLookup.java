package net.kimik2.command.accounts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import net.kimik2.api.accounts.FindUserIdByEmailQuery;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.privacy.ReleaseUniqueKeysCommand;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Uniqueness of email and username without keeping either in clear text: the table holds only keyed hashes
 * (HMAC-SHA256 under a secret from the key vault) of the normalised values. Claims are written in the command's
 * transaction, so a failed registration claims nothing.
 */
@Component
class AccountLookup {

    enum Kind { EMAIL, USERNAME }

    private final JdbcTemplate jdbc;
    private final SecretKey key;

    AccountLookup(JdbcTemplate jdbc, @Qualifier("lookupHmacKey") SecretKey key) {
        this.jdbc = jdbc;
        this.key = key;
    }

    /** Claims the value for the user; fails with ALREADY_TAKEN naming the field when someone else holds it. */
    void claim(Kind kind, String normalizedValue, String userId) {
        String hash = hash(kind, normalizedValue);
        // look first, insert only when free: after a failed INSERT PostgreSQL refuses every further statement of the
        // transaction ("current transaction is aborted"), so the holder cannot be read after a duplicate key
        Optional<String> holder = jdbc.queryForList("SELECT user_id FROM account_lookup WHERE key_hash = ?",
                String.class, hash).stream().findFirst();
        if (holder.isPresent()) {
            if (!holder.get().equals(userId)) {
                throw alreadyTaken(kind);
            }
            return;
        }
        try {
            jdbc.update("INSERT INTO account_lookup (key_hash, user_id) VALUES (?, ?)", hash, userId);
        } catch (DuplicateKeyException concurrentClaim) {
            throw alreadyTaken(kind); // someone claimed it between the look and the insert
        }
    }

    private static DomainException alreadyTaken(Kind kind) {
        return new DomainException(ErrorCode.ALREADY_TAKEN, kind.name().toLowerCase(), kind.name().toLowerCase()
                + " is already taken");
    }

    /** Erasure step 4: the email and username become free for a new person. */
    @CommandHandler
    int handle(ReleaseUniqueKeysCommand command) {
        return jdbc.update("DELETE FROM account_lookup WHERE user_id = ?", command.userId());
    }

    /** The old email after a change: free for others at once. */
    void release(Kind kind, String normalizedValue, String userId) {
        jdbc.update("DELETE FROM account_lookup WHERE key_hash = ? AND user_id = ?", hash(kind, normalizedValue), userId);
    }

    /** People search by exact email: one keyed hash, one indexed row. */
    @QueryHandler
    Optional<String> handle(FindUserIdByEmailQuery query) {
        return query.email() == null ? Optional.empty() : find(Kind.EMAIL, AccountRules.normalizeEmail(query.email()));
    }

    Optional<String> find(Kind kind, String normalizedValue) {
        return jdbc.queryForList("SELECT user_id FROM account_lookup WHERE key_hash = ?", String.class,
                hash(kind, normalizedValue)).stream().findFirst();
    }

    private String hash(Kind kind, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(kind.name().getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
