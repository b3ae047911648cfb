package net.kimik2.query.platform;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.kimik2.api.platform.DomainException;

/** Opaque Relay cursors over a long sort key, tagged with their list so one list's cursor is refused by another. */
public final class Cursors {

    private Cursors() {
    }

    public static String encode(String list, long key) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((list + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** The sort key of a cursor of {@code list}; a foreign or malformed cursor is a VALIDATION_FAILED on {@code after}. */
    public static long decode(String list, String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!raw.startsWith(list + ":")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(raw.substring(list.length() + 1));
        } catch (IllegalArgumentException e) {
            throw DomainException.validation("after", "after is not a cursor of this list");
        }
    }
}
