package net.kimik2.runtime.conversations.gateway;

import java.util.concurrent.CompletableFuture;

/**
 * Calls a chat model and streams its answer.
 *
 * <p>{@link #complete} streams every content delta to the listener as it arrives and completes with the
 * final {@link Completion}. It completes exceptionally with
 * <ul>
 *   <li>{@link ModelBusyException} when the shared upstream queue is full (a typed "busy" with a retry hint),</li>
 *   <li>{@link ModelCallFailedException} when the call failed; it carries a {@link ModelCallFailedException.Reason},
 *       the text already delivered, the number of completion tokens already delivered and the provider's usage
 *       when the provider reported one.</li>
 * </ul>
 * A listener that throws (for instance because the client went away) never breaks the stream: the gateway keeps
 * reading to the end so that the provider's usage report, the billing data, still arrives.
 *
 * <p>Cancelling the returned future aborts the upstream call (or leaves the queue) and gives up the result:
 * use it only when the caller does not need billing data.
 */
public interface ModelGateway {

    CompletableFuture<Completion> complete(ChatRequest request, DeltaListener listener);
}
