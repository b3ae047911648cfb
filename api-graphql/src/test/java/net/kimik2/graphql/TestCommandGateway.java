package net.kimik2.graphql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.Registration;
import org.axonframework.messaging.MessageDispatchInterceptor;

/**
 * Axon's {@link CommandGateway}, the module's way out, answered by a handler per command type. Records every command
 * message (payload and metadata) it was given; a command without a handler fails the test.
 */
public class TestCommandGateway implements CommandGateway {

    private final Map<Class<?>, Function<Object, Object>> handlers = new HashMap<>();
    private final List<CommandMessage<?>> sent = new ArrayList<>();

    /** Answers commands of {@code type} with {@code handler}; it may throw as a command handler would. */
    public synchronized <C> void on(Class<C> type, Function<C, ?> handler) {
        handlers.put(type, command -> handler.apply(type.cast(command)));
    }

    public synchronized List<CommandMessage<?>> sent() {
        return List.copyOf(sent);
    }

    /** The payload of the one command of {@code type} that was sent. */
    public synchronized <C> C sentOne(Class<C> type) {
        List<C> found = sent.stream().map(CommandMessage::getPayload).filter(type::isInstance).map(type::cast).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", sent: " + sent);
        }
        return found.get(0);
    }

    public synchronized void reset() {
        handlers.clear();
        sent.clear();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R sendAndWait(Object command) {
        CommandMessage<?> message = GenericCommandMessage.asCommandMessage(command);
        Function<Object, Object> handler;
        synchronized (this) {
            sent.add(message);
            handler = handlers.get(message.getPayloadType());
        }
        if (handler == null) {
            throw new AssertionError("no handler in this test for " + message.getPayloadType().getSimpleName());
        }
        return (R) handler.apply(message.getPayload());
    }

    @Override
    public <R> R sendAndWait(Object command, long timeout, TimeUnit unit) {
        return sendAndWait(command);
    }

    @Override
    public <R> CompletableFuture<R> send(Object command) {
        try {
            return CompletableFuture.completedFuture(sendAndWait(command));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public <C, R> void send(C command, CommandCallback<? super C, ? super R> callback) {
        throw new UnsupportedOperationException("the controllers use sendAndWait");
    }

    @Override
    public Registration registerDispatchInterceptor(
            MessageDispatchInterceptor<? super CommandMessage<?>> dispatchInterceptor) {
        throw new UnsupportedOperationException();
    }
}
