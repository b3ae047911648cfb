package net.kimik2.command.conversations;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The port through which the domain reaches the model: prices to size a prompt's hold, the queue's state, and the
 * hand-over of an accepted prompt. The adapter (the {@code model-runtime} module: OpenAI-compatible client, offline
 * model, fair limiter, runner and streams) implements it; the domain imports none of its types, so the aggregate's
 * rules run in Axon's fixture with a plain test implementation.
 */
public interface ModelRuntime {

    /** The model's current price, empty for a model the catalog does not list. */
    Optional<ModelPrice> price(String modelId);

    /** The model a prompt without one uses. */
    String defaultModelId();

    /** When the model's queue is full right now: how many seconds to wait before trying again. */
    OptionalInt retryAfterIfFull();

    /**
     * Runs an accepted prompt. Called inside the accepting unit of work: the runtime starts the call once that unit
     * of work commits and forgets the prompt if it rolls back, so no model call is ever made for an unrecorded prompt.
     */
    void runAfterCommit(PromptRun run);
}
