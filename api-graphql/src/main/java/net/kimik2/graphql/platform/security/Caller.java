package net.kimik2.graphql.platform.security;

import java.util.Optional;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.messaging.MetaData;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The current caller, and the audit metadata that every command sent on their behalf carries. */
public final class Caller {

    private Caller() {
    }

    public static Optional<CallerPrincipal> current() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof CallerPrincipal p ? Optional.of(p) : Optional.empty();
    }

    public static CallerPrincipal required() {
        return current().orElseThrow(() -> new DomainException(ErrorCode.UNAUTHENTICATED, null, "sign in first"));
    }

    public static CallerPrincipal requireAdmin() {
        CallerPrincipal caller = required();
        if (caller.role() != Role.ADMIN) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "this operation needs the ADMIN role");
        }
        return caller;
    }

    public static MetaData metadata() {
        return current().map(p -> MetaData.with(MetadataKeys.ACTOR_ID, p.userId()).and(MetadataKeys.ACTOR_ROLE, p.role().name()))
                .orElse(MetaData.with(MetadataKeys.ACTOR_ID, "anonymous"));
    }
}
