package net.kimik2.graphql.apikeys;

/** Ends a /v1 request with an OpenAI-shaped error; carries no cause, so nothing internal can leak. */
final class OpenAiException extends RuntimeException {

    private final transient OpenAiError error;

    OpenAiException(OpenAiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    OpenAiError error() {
        return error;
    }
}
