package net.kimik2.command.accounts;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Instant;
import java.util.UUID;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.LoginOutcome;
import net.kimik2.api.accounts.LogoutCommand;
import net.kimik2.api.accounts.RegisterAccountCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.UserLoggedInEvent;
import net.kimik2.api.accounts.UserLoggedOutEvent;
import net.kimik2.api.platform.DomainException;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

@Aggregate
class Account {

    @AggregateIdentifier
    private String userId;
    private String passwordHash;
    private Role role;

    Account() {
        // for Axon
    }

    @CommandHandler
    Account(RegisterAccountCommand command, AccountLookup lookup, PasswordHasher hasher, PolicySettings settings) {
        String email = AccountRules.normalizeEmail(command.email());
        String username = AccountRules.normalizeUsername(command.username());
        AccountRules.validate(command.name(), email, username, command.password(), command.acceptedPolicyVersion(),
                settings.currentPolicyVersion());
        lookup.claim(AccountLookup.Kind.EMAIL, email, command.userId());
        lookup.claim(AccountLookup.Kind.USERNAME, username, command.userId());
        apply(new AccountRegisteredEvent(command.userId(), command.name().trim(), email, username,
                hasher.hash(command.password()), command.acceptedPolicyVersion(),
                command.role() == null ? Role.USER : command.role(), now()));
    }

    /** Verifies the password and opens a session; called by {@link LoginCommandHandler} after the lookup. */
    LoginOutcome login(String password, PasswordHasher hasher, PolicySettings settings) {
        if (!hasher.matches(password, passwordHash)) {
            throw LoginCommandHandler.invalidCredentials();
        }
        Instant now = now();
        Instant expiresAt = now.plus(settings.sessionTtl());
        String sessionId = UUID.randomUUID().toString();
        apply(new UserLoggedInEvent(userId, sessionId, now, expiresAt));
        return new LoginOutcome(userId, role, sessionId, expiresAt);
    }

    @CommandHandler
    void handle(LogoutCommand command) {
        if (command.sessionId() == null || command.sessionId().isBlank()) {
            throw DomainException.validation("sessionId", "a session id is required");
        }
        apply(new UserLoggedOutEvent(userId, command.sessionId(), now()));
    }

    @EventSourcingHandler
    void on(AccountRegisteredEvent event) {
        this.userId = event.userId();
        this.passwordHash = event.passwordHash();
        this.role = event.role();
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
