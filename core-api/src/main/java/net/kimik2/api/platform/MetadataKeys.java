package net.kimik2.api.platform;

/** Names of the Axon metadata entries that every command and event carries (the audit trail). */
public final class MetadataKeys {

    /** Id of the user on whose behalf the message was sent ({@code system} for the service itself). */
    public static final String ACTOR_ID = "actorId";
    /** Role of that user when the message was sent. */
    public static final String ACTOR_ROLE = "actorRole";
    public static final String SYSTEM_ACTOR = "system";
    /** The person's privacy choices when a prompt was sent, so that downstream use can honour them. */
    public static final String PRIVACY_CHOICES = "privacyChoices";
    /** Id of the API key a command was sent with (the /v1 endpoint); absent for the GraphQL API. */
    public static final String API_KEY_ID = "apiKeyId";

    private MetadataKeys() {
    }
}
