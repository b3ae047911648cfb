package net.kimik2.graphql.accounts;

import java.time.Duration;
import java.util.List;
import net.kimik2.api.accounts.AcceptPolicyCommand;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.ChangePasswordCommand;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.FindPolicyStatusQuery;
import net.kimik2.api.accounts.FindPrivacyChoicesQuery;
import net.kimik2.api.accounts.FindSessionsQuery;
import net.kimik2.api.accounts.PolicyStatusView;
import net.kimik2.api.accounts.PrivacyChoicesView;
import net.kimik2.api.accounts.RevokeSessionCommand;
import net.kimik2.api.accounts.SessionView;
import net.kimik2.api.accounts.SetPrivacyChoicesCommand;
import net.kimik2.api.accounts.UpdateProfileCommand;
import net.kimik2.api.platform.DomainError;
import net.kimik2.graphql.accounts.UpdateProfileResult.AlreadyTaken;
import net.kimik2.graphql.accounts.UpdateProfileResult.InvalidCredentials;
import net.kimik2.graphql.accounts.UpdateProfileResult.ProfileUpdated;
import net.kimik2.graphql.accounts.UpdateProfileResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.schema.ViewWaiter;
import net.kimik2.graphql.platform.security.Caller;
import net.kimik2.graphql.platform.security.CallerPrincipal;
import net.kimik2.graphql.platform.security.CredentialBulkhead;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** Sessions and devices, rectification, privacy choices and the policy (issue 13). */
@Controller
class AccountPrivacyController {

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final ViewWaiter views;
    private final CredentialBulkhead bulkhead;

    AccountPrivacyController(CommandGateway commands, QueryGateway queries, ViewWaiter views,
                             CredentialBulkhead bulkhead) {
        this.bulkhead = bulkhead;
        this.commands = commands;
        this.queries = queries;
        this.views = views;
    }

    record UpdateProfileInput(String name, String email, String currentPassword) {
    }

    record ChangePasswordInput(String currentPassword, String newPassword) {
    }

    record PrivacyChoicesInput(Boolean modelImprovement, Boolean analyticsCookies, Boolean productEmails) {
    }

    /** A session as the schema shows it. */
    record Session(String id, boolean current, java.time.Instant createdAt, java.time.Instant lastSeenAt,
                   String deviceType, String os, String browser, String ipAddress) {
    }

    @QueryMapping
    List<Session> sessions() {
        CallerPrincipal caller = Caller.required();
        List<SessionView> sessions = queries.query(new FindSessionsQuery(caller.userId()),
                ResponseTypes.multipleInstancesOf(SessionView.class)).join();
        return sessions.stream().map(s -> new Session(s.sessionId(), s.sessionId().equals(caller.sessionId()),
                s.createdAt() == null ? s.expiresAt() : s.createdAt(), s.lastSeenAt(), s.deviceType(), s.os(),
                s.browser(), s.ipAddress())).toList();
    }

    @MutationMapping
    boolean revokeSession(@Argument String id) {
        CallerPrincipal caller = Caller.required();
        Boolean revoked = send(new RevokeSessionCommand(caller.userId(), id));
        return Boolean.TRUE.equals(revoked);
    }

    @MutationMapping
    UpdateProfileResult updateProfile(@Argument UpdateProfileInput input) {
        CallerPrincipal caller = Caller.required();
        return profileChange(caller, new UpdateProfileCommand(caller.userId(), input.name(), input.email(),
                input.currentPassword()));
    }

    @MutationMapping
    UpdateProfileResult changePassword(@Argument ChangePasswordInput input) {
        CallerPrincipal caller = Caller.required();
        return profileChange(caller, new ChangePasswordCommand(caller.userId(), input.currentPassword(),
                input.newPassword(), caller.sessionId()));
    }

    private UpdateProfileResult profileChange(CallerPrincipal caller, Object command) {
        try {
            // password checks and hashing (Argon2id) share the login's bounded pool
            bulkhead.run(() -> this.<Object>send(command));
        } catch (RuntimeException e) {
            DomainError error = DomainErrors.of(e).orElseThrow(() -> e);
            return switch (error.code()) {
                case ALREADY_TAKEN -> new AlreadyTaken(error.field());
                case VALIDATION_FAILED -> new ValidationFailed(error.field(), error.message());
                case INVALID_CREDENTIALS -> new InvalidCredentials("wrong password");
                default -> throw e;
            };
        }
        // read-your-writes: the account view shows the change before we answer
        AccountView account = views.await(new FindAccountQuery(caller.userId()), AccountView.class,
                a -> !(command instanceof UpdateProfileCommand u) || matches(a, u), Duration.ofSeconds(10));
        return new ProfileUpdated(account);
    }

    private static boolean matches(AccountView account, UpdateProfileCommand command) {
        return (command.name() == null || account.name().equals(command.name().trim()))
                && (command.email() == null || account.email().equalsIgnoreCase(command.email().trim()));
    }

    @QueryMapping
    PrivacyChoicesView privacyChoices() {
        return choices(Caller.required().userId());
    }

    @MutationMapping
    PrivacyChoicesView setPrivacyChoices(@Argument PrivacyChoicesInput input) {
        String userId = Caller.required().userId();
        send(new SetPrivacyChoicesCommand(userId, input.modelImprovement(), input.analyticsCookies(),
                input.productEmails()));
        return choices(userId); // written in the command's transaction
    }

    @QueryMapping
    PolicyStatusView policy() {
        return policyStatus(Caller.required().userId());
    }

    @MutationMapping
    PolicyStatusView acceptPolicy(@Argument String version) {
        String userId = Caller.required().userId();
        send(new AcceptPolicyCommand(userId, version)); // a wrong version: VALIDATION_FAILED error
        return policyStatus(userId);
    }

    private PrivacyChoicesView choices(String userId) {
        return queries.query(new FindPrivacyChoicesQuery(userId), ResponseTypes.instanceOf(PrivacyChoicesView.class))
                .join();
    }

    private PolicyStatusView policyStatus(String userId) {
        return queries.query(new FindPolicyStatusQuery(userId), ResponseTypes.instanceOf(PolicyStatusView.class)).join();
    }

    private <R> R send(Object command) {
        return commands.sendAndWait(GenericCommandMessage.asCommandMessage(command).withMetaData(Caller.metadata()));
    }
}
