package net.kimik2.command.accounts;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Duration;
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
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.api.privacy.CompleteErasureCommand;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.api.privacy.RequestErasureCommand;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

@Aggregate
class Account {

    private static final Duration LEGAL_DEADLINE = Duration.ofDays(30);

    enum Status { ACTIVE, ERASING, ERASED }

    @AggregateIdentifier
    private String userId;
    private String username;
    private String passwordHash;
    private Role role;
    private Status status;
    private String erasureRequestId;

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
        if (status != Status.ACTIVE) {
            hasher.burnTime(password);
            throw LoginCommandHandler.invalidCredentials();
        }
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
        if (status == Status.ACTIVE) { // an erasure already ended every session
            apply(new UserLoggedOutEvent(userId, command.sessionId(), now()));
        }
    }

    /** Step 1 of an erasure. Idempotent: a repeated request answers the first request's id. */
    @CommandHandler
    String handle(RequestErasureCommand command, @MetaDataValue(MetadataKeys.ACTOR_ID) String actorId,
                  @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        String legalBasis;
        if (command.adminInitiated()) {
            if (!Role.ADMIN.name().equals(actorRole)) {
                throw new DomainException(ErrorCode.FORBIDDEN, null, "only an admin may erase another person");
            }
            if (userId.equals(actorId)) {
                throw DomainException.validation("userId", "admins erase their own account through requestErasure");
            }
            legalBasis = command.legalBasis() == null || command.legalBasis().isBlank()
                    ? "GDPR Art. 17(1)" : command.legalBasis().trim();
            if (legalBasis.length() > 200) {
                throw DomainException.validation("legalBasis", "legal basis must be at most 200 characters");
            }
        } else {
            if (!userId.equals(actorId)) {
                throw new DomainException(ErrorCode.FORBIDDEN, null, "only the person may request their own erasure");
            }
            if (command.confirmUsername() == null || !command.confirmUsername().trim().equals(username)) {
                throw DomainException.validation("confirmUsername", "type your username to confirm the erasure");
            }
            legalBasis = "GDPR Art. 17(1)(a): request of the data subject";
        }
        if (status != Status.ACTIVE) {
            return erasureRequestId; // answered only to someone allowed to make the request
        }
        Instant now = now();
        String requestId = UUID.randomUUID().toString();
        apply(new ErasureRequestedEvent(userId, requestId, now, now.plus(LEGAL_DEADLINE),
                actorId == null ? MetadataKeys.SYSTEM_ACTOR : actorId, command.adminInitiated(), legalBasis));
        return requestId;
    }

    /** Step 5 of an erasure; exactly once however often the process retries. */
    @CommandHandler
    void handle(CompleteErasureCommand command) {
        if (status == Status.ERASED || !command.certificate().requestId().equals(erasureRequestId)) {
            return;
        }
        apply(new ErasureCompletedEvent(userId, erasureRequestId, command.certificate()));
    }

    @EventSourcingHandler
    void on(AccountRegisteredEvent event) {
        this.userId = event.userId();
        this.username = event.username();
        this.passwordHash = event.passwordHash();
        this.role = event.role();
        this.status = Status.ACTIVE;
    }

    @EventSourcingHandler
    void on(ErasureRequestedEvent event) {
        this.status = Status.ERASING;
        this.erasureRequestId = event.requestId();
        this.passwordHash = null;
    }

    @EventSourcingHandler
    void on(ErasureCompletedEvent event) {
        this.status = Status.ERASED;
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
