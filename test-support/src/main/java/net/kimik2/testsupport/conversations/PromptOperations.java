package net.kimik2.testsupport.conversations;

/** Sending a prompt and streaming its answer, as a chat client writes the operations. */
public final class PromptOperations {

    /** {@code sendPrompt} with every typed answer it can give. */
    public static final String SEND = """
            mutation Send($input: SendPromptInput!) {
              sendPrompt(input: $input) {
                __typename
                ... on PromptAccepted { promptId conversationId heldCredits }
                ... on InsufficientCredits { available required }
                ... on ValidationFailed { field message }
                ... on Busy { retryAfterSeconds }
              }
            }""";

    /** The answer's chunks over graphql-ws, the final one ({@code done: true}) with the usage. */
    public static final String STREAM = """
            subscription Stream($id: ID!) {
              promptStream(promptId: $id) { promptId seq delta done failureCode
                usage { promptTokens cachedTokens completionTokens costCredits estimated priceVersion } }
            }""";

    private PromptOperations() {
    }
}
