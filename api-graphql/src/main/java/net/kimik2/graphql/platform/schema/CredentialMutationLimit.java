package net.kimik2.graphql.platform.schema;

import graphql.ExecutionResult;
import graphql.GraphqlErrorBuilder;
import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.graphql.execution.ErrorType;

/**
 * Refuses an operation that selects more than one credential mutation ({@code login}, {@code register}), aliases
 * and fragments included, before any field runs: without it one HTTP request could carry hundreds of aliased
 * password guesses past every per-request limit. The refusal is a VALIDATION_FAILED error and nothing runs.
 */
class CredentialMutationLimit extends SimplePerformantInstrumentation {

    private final Set<String> credentialFields;

    CredentialMutationLimit(Set<String> credentialFields) {
        this.credentialFields = Set.copyOf(credentialFields);
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(
            InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        var context = parameters.getExecutionContext();
        OperationDefinition operation = context.getOperationDefinition();
        if (operation.getOperation() == OperationDefinition.Operation.MUTATION) {
            int count = count(operation.getSelectionSet(), context.getFragmentsByName(), new HashSet<>());
            if (count > 1) {
                throw new AbortExecutionException(List.of(GraphqlErrorBuilder.newError()
                        .errorType(ErrorType.BAD_REQUEST)
                        .message("at most one of " + String.join(", ", credentialFields.stream().sorted().toList())
                                + " may be sent per request")
                        .extensions(Map.of("code", "VALIDATION_FAILED"))
                        .build()));
            }
        }
        return super.beginExecuteOperation(parameters, state);
    }

    private int count(SelectionSet selectionSet, Map<String, FragmentDefinition> fragments, Set<String> visited) {
        if (selectionSet == null) {
            return 0;
        }
        int count = 0;
        for (Selection<?> selection : selectionSet.getSelections()) {
            if (selection instanceof Field field) {
                if (credentialFields.contains(field.getName())) {
                    count++;
                }
            } else if (selection instanceof InlineFragment inline) {
                count += count(inline.getSelectionSet(), fragments, visited);
            } else if (selection instanceof FragmentSpread spread && visited.add(spread.getName())) {
                FragmentDefinition fragment = fragments.get(spread.getName());
                count += fragment == null ? 0 : count(fragment.getSelectionSet(), fragments, visited);
            }
        }
        return count;
    }
}
