package net.kimik2.query.platform;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Flushes the {@link ViewBatch} after the last event of a processor batch. Flushing here, inside the handling of
 * the last event, orders it before the token update (which the processor registers for the commit phase), so a
 * token is never stored ahead of the views it covers.
 */
public final class ViewBatchInterceptor implements MessageHandlerInterceptor<EventMessage<?>> {

    private final MongoTemplate mongo;
    private final String processor;
    private final ViewTargets targets;

    public ViewBatchInterceptor(MongoTemplate mongo) {
        this(mongo, null, null);
    }

    /** For a named view processor whose writes may go to shadow collections during a replay. */
    public ViewBatchInterceptor(MongoTemplate mongo, String processor, ViewTargets targets) {
        this.mongo = mongo;
        this.processor = processor;
        this.targets = targets;
    }

    @Override
    public Object handle(UnitOfWork<? extends EventMessage<?>> unitOfWork, InterceptorChain chain) throws Exception {
        Object result = chain.proceed();
        boolean last = !(unitOfWork instanceof BatchingUnitOfWork<?> batching) || batching.isLastMessage();
        if (last) {
            ViewBatch batch = ViewBatch.detach(unitOfWork);
            if (batch != null && !batch.isEmpty()) {
                if (targets == null) {
                    batch.flush(mongo);
                } else {
                    var lock = targets.lock(processor);
                    lock.lock();
                    try {
                        batch.flush(mongo, name -> targets.writeTarget(processor, name));
                    } finally {
                        lock.unlock();
                    }
                }
            }
        }
        return result;
    }
}
