package net.kimik2.graphql.accounts;

import graphql.GraphQLContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.LoginCommand;
import net.kimik2.api.accounts.LoginOutcome;
import net.kimik2.api.accounts.LogoutCommand;
import net.kimik2.api.accounts.RegisterAccountCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.credits.CreditBalanceView;
import net.kimik2.api.credits.CreditBalances;
import net.kimik2.api.credits.FindCreditBalanceQuery;
import net.kimik2.api.credits.FindCreditBalancesQuery;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.graphql.accounts.AccountInputs.LoginInput;
import net.kimik2.graphql.accounts.AccountInputs.RegisterInput;
import net.kimik2.graphql.accounts.LoginResult.InvalidCredentials;
import net.kimik2.graphql.accounts.LoginResult.LoggedIn;
import net.kimik2.graphql.accounts.RegisterResult.AlreadyTaken;
import net.kimik2.graphql.accounts.RegisterResult.Registered;
import net.kimik2.graphql.accounts.RegisterResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.schema.ViewWaiter;
import net.kimik2.graphql.platform.security.Caller;
import net.kimik2.graphql.platform.security.ClientAddress;
import net.kimik2.graphql.platform.security.CredentialBulkhead;
import net.kimik2.graphql.platform.security.LoginThrottle;
import net.kimik2.graphql.platform.security.SessionCookies;
import net.kimik2.graphql.platform.security.TokenService;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class AccountController {

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final ViewWaiter views;
    private final TokenService tokens;
    private final SessionCookies cookies;
    private final LoginThrottle throttle;
    private final CredentialBulkhead bulkhead;
    private final long signupCredits;

    AccountController(CommandGateway commands, QueryGateway queries, ViewWaiter views, TokenService tokens,
                      SessionCookies cookies, LoginThrottle throttle, CredentialBulkhead bulkhead,
                      @Value("${kimi.signup-credits:500000}") long signupCredits) {
        this.throttle = throttle;
        this.bulkhead = bulkhead;
        this.signupCredits = signupCredits;
        this.commands = commands;
        this.queries = queries;
        this.views = views;
        this.tokens = tokens;
        this.cookies = cookies;
    }

    @QueryMapping
    Optional<AccountView> me() {
        return Caller.current().flatMap(caller -> findAccount(caller.userId()));
    }

    @MutationMapping
    RegisterResult register(@Argument RegisterInput input) {
        String userId = UUID.randomUUID().toString();
        var command = new RegisterAccountCommand(userId, input.name(), input.email(), input.username(), input.password(),
                input.acceptedPolicyVersion(), Role.USER);
        try {
            bulkhead.run(() -> commands.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                    .withMetaData(MetaData.with(MetadataKeys.ACTOR_ID, userId))));
        } catch (RuntimeException e) {
            return failure(e);
        }
        // read-your-writes: answer once the views show the account and its signup credits
        AccountView account = views.await(new FindAccountQuery(userId), AccountView.class, Duration.ofSeconds(10));
        // the balance row appears with the ledger; wait for the signup grant too (unless it is configured to 0)
        views.await(new FindCreditBalanceQuery(userId), CreditBalanceView.class,
                balance -> signupCredits == 0 || balance.available() + balance.held() + balance.debt() != 0,
                Duration.ofSeconds(10));
        return new Registered(account);
    }

    @MutationMapping
    LoginResult login(@Argument LoginInput input, GraphQLContext context) {
        // refused (RATE_LIMITED) before the password is looked at when the account or the client IP must wait
        LoginThrottle.Attempt attempt = throttle.begin(input.usernameOrEmail(), ClientAddress.of(context));
        LoginOutcome outcome;
        try {
            outcome = bulkhead.run(() -> commands.sendAndWait(GenericCommandMessage.asCommandMessage(
                    new LoginCommand(input.usernameOrEmail(), input.password(),
                            ClientAddress.userAgent(context), ClientAddress.of(context))).withMetaData(Caller.metadata())));
        } catch (RuntimeException e) {
            DomainError error = DomainErrors.of(e).orElse(null);
            if (error != null && error.code() == ErrorCode.INVALID_CREDENTIALS) {
                return new InvalidCredentials("unknown user or wrong password"); // the attempt stays counted
            }
            attempt.abandoned();
            throw e;
        }
        attempt.succeeded();
        String token = tokens.issue(outcome.sessionId(), outcome.expiresAt());
        cookies.set(context, token, outcome.expiresAt());
        AccountView account = views.await(new FindAccountQuery(outcome.userId()), AccountView.class, Duration.ofSeconds(10));
        return new LoggedIn(token, account);
    }

    @MutationMapping
    boolean logout(GraphQLContext context) {
        cookies.clear(context);
        return Caller.current().map(caller -> {
            commands.sendAndWait(GenericCommandMessage.asCommandMessage(
                    new LogoutCommand(caller.userId(), caller.sessionId())).withMetaData(Caller.metadata()));
            return true;
        }).orElse(false);
    }

    @BatchMapping(typeName = "Account", field = "credits")
    Map<AccountView, CreditBalanceView> credits(List<AccountView> accounts) {
        List<String> ids = accounts.stream().map(AccountView::id).toList();
        Map<String, CreditBalanceView> byId = queries.query(new FindCreditBalancesQuery(ids),
                        ResponseTypes.instanceOf(CreditBalances.class)).join()
                .balances().stream().collect(Collectors.toMap(CreditBalanceView::userId, Function.identity()));
        return accounts.stream().collect(Collectors.toMap(Function.identity(),
                a -> byId.getOrDefault(a.id(), CreditBalanceView.empty(a.id())), (a, b) -> a));
    }

    private Optional<AccountView> findAccount(String userId) {
        return queries.query(new FindAccountQuery(userId), ResponseTypes.optionalInstanceOf(AccountView.class)).join();
    }

    private static RegisterResult failure(RuntimeException e) {
        DomainError error = DomainErrors.of(e).orElseThrow(() -> e);
        return switch (error.code()) {
            case ALREADY_TAKEN -> new AlreadyTaken(error.field());
            case VALIDATION_FAILED -> new ValidationFailed(error.field(), error.message());
            default -> throw e;
        };
    }
}
