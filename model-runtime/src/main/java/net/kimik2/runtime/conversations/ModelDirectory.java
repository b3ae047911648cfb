package net.kimik2.runtime.conversations;

import java.util.List;
import net.kimik2.api.conversations.FindModelsQuery;
import net.kimik2.api.conversations.ModelList;
import net.kimik2.api.conversations.ModelView;
import net.kimik2.runtime.conversations.gateway.LimitedModelGateway;
import net.kimik2.runtime.conversations.gateway.ModelCatalog;
import net.kimik2.runtime.conversations.gateway.OfflineModel;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** Answers which models prompts may use, at their current prices, from the configured catalog. */
@Component
class ModelDirectory {

    private final ModelCatalog catalog;
    private final boolean offline;

    ModelDirectory(ModelCatalog catalog, LimitedModelGateway gateway) {
        this.catalog = catalog;
        this.offline = gateway.delegate() instanceof OfflineModel;
    }

    @QueryHandler
    ModelList handle(FindModelsQuery query) {
        List<ModelView> models = catalog.modelIds().stream()
                .flatMap(id -> catalog.price(id).stream())
                .map(p -> new ModelView(p.modelId(), p.contextLength(), p.inputCacheHitPerMillion(),
                        p.inputCacheMissPerMillion(), p.outputPerMillion(), p.priceVersion()))
                .toList();
        return new ModelList(models, catalog.defaultModelId(), offline);
    }
}
