package net.kimik2.graphql.platform.security;

import net.kimik2.api.accounts.Role;

/** The signed-in caller, as established from a verified token and a live session. */
public record CallerPrincipal(String userId, Role role, String sessionId) {
}
