package net.kimik2.runtime.conversations;

import java.util.Optional;
import java.util.OptionalInt;
import net.kimik2.command.conversations.ModelPrice;
import net.kimik2.command.conversations.ModelRuntime;
import net.kimik2.command.conversations.PromptRun;
import net.kimik2.runtime.conversations.gateway.LimitedModelGateway;
import net.kimik2.runtime.conversations.gateway.ModelCatalog;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.stereotype.Component;

/** The domain's {@link ModelRuntime} port on the configured catalog, gateway and runner. */
@Component
class ModelRuntimeAdapter implements ModelRuntime {

    private final ModelCatalog catalog;
    private final LimitedModelGateway gateway;
    private final PromptRunner runner;

    ModelRuntimeAdapter(ModelCatalog catalog, LimitedModelGateway gateway, PromptRunner runner) {
        this.catalog = catalog;
        this.gateway = gateway;
        this.runner = runner;
    }

    @Override
    public Optional<ModelPrice> price(String modelId) {
        return catalog.price(modelId);
    }

    @Override
    public String defaultModelId() {
        return catalog.defaultModelId();
    }

    @Override
    public OptionalInt retryAfterIfFull() {
        return gateway.limiter().retryAfterIfFull();
    }

    /**
     * The stream exists from acceptance on, so an immediate subscriber finds it; the call starts on a runner thread
     * after commit (never inside the accepting unit of work, which is still current in its after-commit hook).
     */
    @Override
    public void runAfterCommit(PromptRun run) {
        runner.register(run);
        if (!CurrentUnitOfWork.isStarted()) {
            runner.start(run);
            return;
        }
        CurrentUnitOfWork.get().afterCommit(u -> runner.start(run));
        CurrentUnitOfWork.get().onRollback(u -> runner.forget(run.promptId()));
    }
}
