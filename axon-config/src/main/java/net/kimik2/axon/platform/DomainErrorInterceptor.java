package net.kimik2.axon.platform;

import net.kimik2.api.platform.DomainException;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.queryhandling.QueryExecutionException;

/**
 * Turns a {@link DomainException} into Axon's execution exception with the {@code DomainError} as details, so the
 * error code crosses any bus (a distributed one serializes only the details). The unit of work still rolls back.
 */
final class DomainErrorInterceptor<T extends Message<?>> implements MessageHandlerInterceptor<T> {

    private final boolean commands;

    private DomainErrorInterceptor(boolean commands) {
        this.commands = commands;
    }

    static <C extends Message<?>> DomainErrorInterceptor<C> forCommands() {
        return new DomainErrorInterceptor<>(true);
    }

    static <Q extends Message<?>> DomainErrorInterceptor<Q> forQueries() {
        return new DomainErrorInterceptor<>(false);
    }

    @Override
    public Object handle(UnitOfWork<? extends T> unitOfWork, InterceptorChain chain) throws Exception {
        try {
            return chain.proceed();
        } catch (DomainException e) {
            throw commands
                    ? new CommandExecutionException(e.getMessage(), null, e.error())
                    : new QueryExecutionException(e.getMessage(), null, e.error());
        }
    }
}
