package net.kimik2.api.conversations;

/** The models prompts may name, with their current prices. Answers a {@link ModelList}. */
public record FindModelsQuery() {
}
