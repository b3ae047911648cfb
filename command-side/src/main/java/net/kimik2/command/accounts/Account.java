package net.kimik2.command.accounts;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import net.kimik2.api.accounts.AcceptPolicyCommand;
import net.kimik2.api.accounts.ChangePasswordCommand;
import net.kimik2.api.accounts.DeviceRecordedEvent;
import net.kimik2.api.accounts.PasswordChangedEvent;
import net.kimik2.api.accounts.PolicyAcceptedEvent;
import net.kimik2.api.accounts.PrivacyChoicesSetEvent;
import net.kimik2.api.accounts.ProfileUpdatedEvent;
import net.kimik2.api.accounts.RevokeSessionCommand;
import net.kimik2.api.accounts.SetPrivacyChoicesCommand;
import net.kimik2.api.accounts.UpdateProfileCommand;
import net.kimik2.api.privacy.DataExportRequestedEvent;
import net.kimik2.api.privacy.LegalHoldPlacedEvent;
import net.kimik2.api.privacy.LegalHoldReleasedEvent;
import net.kimik2.api.privacy.PlaceLegalHoldCommand;
import net.kimik2.api.privacy.ReleaseLegalHoldCommand;
import net.kimik2.api.privacy.RequestDataExportCommand;
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
    private String name;
    private String email;
    private boolean modelImprovement;
    private boolean analyticsCookies;
    private boolean productEmails;
    private boolean legalHold;
    /** Sessions opened and not ended by a logout, revocation or password change (expired ones may linger). */
    private final Set<String> openSessions = new HashSet<>();
    /** Device signatures (type, OS, browser) seen at logins, for the new-device notice. */
    private final Set<String> knownDevices = new HashSet<>();

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
        return login(password, hasher, settings, null, null);
    }

    /** As above, recording the session's device (parsed User-Agent) and IP address when known. */
    LoginOutcome login(String password, PasswordHasher hasher, PolicySettings settings, DeviceInfo device,
                       String ipAddress) {
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
        if (device != null || ipAddress != null) {
            DeviceInfo d = device == null ? DeviceInfo.UNKNOWN : device;
            boolean newDevice = !knownDevices.isEmpty() && !knownDevices.contains(d.signature());
            apply(new DeviceRecordedEvent(sessionId, userId, d.deviceType(), d.os(), d.browser(), ipAddress,
                    newDevice, now));
        }
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

    @CommandHandler
    boolean handle(RevokeSessionCommand command) {
        if (status != Status.ACTIVE || command.sessionId() == null || !openSessions.contains(command.sessionId())) {
            return false;
        }
        apply(new UserLoggedOutEvent(userId, command.sessionId(), now()));
        return true;
    }

    /** Rectification: name and email; a new email is claimed through its keyed hash and the old one released. */
    @CommandHandler
    void handle(UpdateProfileCommand command, AccountLookup lookup, PasswordHasher hasher) {
        requireActive();
        String newName = command.name() == null ? null : command.name().trim();
        String newEmail = AccountRules.normalizeEmail(command.email());
        if (newName != null) {
            AccountRules.validateName(newName);
        }
        boolean emailChanged = newEmail != null && !newEmail.equals(email);
        if (emailChanged) {
            AccountRules.validateEmail(newEmail);
            if (command.currentPassword() == null || !hasher.matches(command.currentPassword(), passwordHash)) {
                throw LoginCommandHandler.invalidCredentials();
            }
            lookup.claim(AccountLookup.Kind.EMAIL, newEmail, userId);
            lookup.release(AccountLookup.Kind.EMAIL, email, userId);
        }
        if (newName == null && !emailChanged) {
            throw DomainException.validation("name", "give a new name or a new email");
        }
        apply(new ProfileUpdatedEvent(userId, newName == null ? name : newName, emailChanged ? newEmail : email,
                emailChanged, now()));
    }

    /** A new password ends every other session (their tokens and cookies stop working at once). */
    @CommandHandler
    void handle(ChangePasswordCommand command, PasswordHasher hasher) {
        requireActive();
        if (command.currentPassword() == null || !hasher.matches(command.currentPassword(), passwordHash)) {
            throw LoginCommandHandler.invalidCredentials();
        }
        AccountRules.validatePassword(command.newPassword(), username, email);
        apply(new PasswordChangedEvent(userId, hasher.hash(command.newPassword()), command.keepSessionId(), now()));
    }

    @CommandHandler
    void handle(SetPrivacyChoicesCommand command, PolicySettings settings) {
        requireActive();
        apply(new PrivacyChoicesSetEvent(userId,
                command.modelImprovement() == null ? modelImprovement : command.modelImprovement(),
                command.analyticsCookies() == null ? analyticsCookies : command.analyticsCookies(),
                command.productEmails() == null ? productEmails : command.productEmails(),
                settings.currentPolicyVersion(), now()));
    }

    @CommandHandler
    void handle(AcceptPolicyCommand command, PolicySettings settings) {
        requireActive();
        if (!settings.currentPolicyVersion().equals(command.version())) {
            throw DomainException.validation("version",
                    "the current privacy policy version is " + settings.currentPolicyVersion());
        }
        apply(new PolicyAcceptedEvent(userId, command.version(), now()));
    }

    @CommandHandler
    String handle(RequestDataExportCommand command) {
        requireActive();
        apply(new DataExportRequestedEvent(userId, command.exportId(), now()));
        return command.exportId();
    }

    /** Audited: the event carries the admin (actorId metadata) and the reason. */
    @CommandHandler
    void handle(PlaceLegalHoldCommand command, @MetaDataValue(MetadataKeys.ACTOR_ID) String actorId,
                @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        requireAdmin(actorRole);
        String reason = command.reason() == null ? "" : command.reason().trim();
        if (reason.isEmpty() || reason.length() > 500) {
            throw DomainException.validation("reason", "a legal hold needs a reason of at most 500 characters");
        }
        if (status == Status.ERASED) {
            throw DomainException.validation("userId", "the account is erased");
        }
        apply(new LegalHoldPlacedEvent(userId, reason, actorId, now()));
    }

    @CommandHandler
    void handle(ReleaseLegalHoldCommand command, @MetaDataValue(MetadataKeys.ACTOR_ID) String actorId,
                @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        requireAdmin(actorRole);
        if (legalHold) {
            apply(new LegalHoldReleasedEvent(userId, actorId, now()));
        }
    }

    private static void requireAdmin(String actorRole) {
        if (!Role.ADMIN.name().equals(actorRole)) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "this operation needs the ADMIN role");
        }
    }

    private void requireActive() {
        if (status != Status.ACTIVE) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "the account is being erased");
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
        if (legalHold && status == Status.ACTIVE) {
            throw DomainException.validation("legalHold", "the account is under a legal hold; erasure is suspended");
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
        this.name = event.name();
        this.email = event.email();
    }

    @EventSourcingHandler
    void on(UserLoggedInEvent event) {
        openSessions.add(event.sessionId());
    }

    @EventSourcingHandler
    void on(UserLoggedOutEvent event) {
        openSessions.remove(event.sessionId());
    }

    @EventSourcingHandler
    void on(DeviceRecordedEvent event) {
        knownDevices.add(new DeviceInfo(event.deviceType(), event.os(), event.browser()).signature());
    }

    @EventSourcingHandler
    void on(ProfileUpdatedEvent event) {
        this.name = event.name();
        this.email = event.email();
    }

    @EventSourcingHandler
    void on(PasswordChangedEvent event) {
        this.passwordHash = event.passwordHash();
        openSessions.removeIf(id -> !id.equals(event.keptSessionId()));
    }

    @EventSourcingHandler
    void on(PrivacyChoicesSetEvent event) {
        this.modelImprovement = event.modelImprovement();
        this.analyticsCookies = event.analyticsCookies();
        this.productEmails = event.productEmails();
    }

    @EventSourcingHandler
    void on(LegalHoldPlacedEvent event) {
        this.legalHold = true;
    }

    @EventSourcingHandler
    void on(LegalHoldReleasedEvent event) {
        this.legalHold = false;
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
