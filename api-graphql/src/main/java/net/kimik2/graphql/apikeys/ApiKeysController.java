package net.kimik2.graphql.apikeys;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import net.kimik2.api.apikeys.ApiKeyList;
import net.kimik2.api.apikeys.ApiKeyRingId;
import net.kimik2.api.apikeys.ApiKeyView;
import net.kimik2.api.apikeys.CreateApiKeyCommand;
import net.kimik2.api.apikeys.FindApiKeysQuery;
import net.kimik2.api.apikeys.RevokeApiKeyCommand;
import net.kimik2.graphql.apikeys.CreateApiKeyResult.ApiKeyCreated;
import net.kimik2.graphql.apikeys.CreateApiKeyResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.security.Caller;
import net.kimik2.graphql.platform.security.CallerPrincipal;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** API keys of the signed-in person. Keys cannot manage keys: only a session (token or cookie) reaches here. */
@Controller
class ApiKeysController {

    private final CommandGateway commands;
    private final QueryGateway queries;

    ApiKeysController(CommandGateway commands, QueryGateway queries) {
        this.commands = commands;
        this.queries = queries;
    }

    record CreateApiKeyInput(String label, Long monthlyBudgetCredits, Instant expiresAt, List<String> models) {
    }

    @MutationMapping
    CreateApiKeyResult createApiKey(@Argument CreateApiKeyInput input) {
        CallerPrincipal caller = Caller.required();
        String secret = ApiKeySecrets.newSecret();
        String keyId = UUID.randomUUID().toString();
        try {
            commands.sendAndWait(GenericCommandMessage.asCommandMessage(new CreateApiKeyCommand(
                    ApiKeyRingId.forUser(caller.userId()), caller.userId(), keyId, input.label(),
                    ApiKeySecrets.hash(secret), ApiKeySecrets.prefix(secret), input.monthlyBudgetCredits(),
                    input.expiresAt(), input.models()))
                    .withMetaData(Caller.metadata()));
        } catch (RuntimeException e) {
            return DomainErrors.validationFailedOrRethrow(e, ValidationFailed::new);
        }
        // the store is written in the command's transaction: the new key is listed (and works) already
        ApiKeyView created = list(caller.userId()).stream().filter(k -> k.id().equals(keyId)).findFirst()
                .orElseThrow();
        return new ApiKeyCreated(secret, created);
    }

    @MutationMapping
    boolean revokeApiKey(@Argument String id) {
        CallerPrincipal caller = Caller.required();
        if (!id.matches("[A-Za-z0-9-]{1,64}")) {
            return false;
        }
        try {
            Boolean revoked = commands.sendAndWait(GenericCommandMessage.asCommandMessage(new RevokeApiKeyCommand(
                    ApiKeyRingId.forUser(caller.userId()), caller.userId(), id)).withMetaData(Caller.metadata()));
            return Boolean.TRUE.equals(revoked);
        } catch (AggregateNotFoundException e) {
            return false; // no keys yet
        }
    }

    @QueryMapping
    List<ApiKeyView> apiKeys() {
        return list(Caller.required().userId());
    }

    private List<ApiKeyView> list(String userId) {
        return queries.query(new FindApiKeysQuery(userId), ResponseTypes.instanceOf(ApiKeyList.class)).join().keys();
    }
}
