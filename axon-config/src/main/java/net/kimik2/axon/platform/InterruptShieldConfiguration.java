package net.kimik2.axon.platform;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wraps the embedded H2 event store's data source in {@link InterruptShieldedDataSource}; other databases as they are. */
@Configuration(proxyBeanMethods = false)
public class InterruptShieldConfiguration {

    @Bean
    static BeanPostProcessor interruptShieldForEmbeddedH2() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource hikari && isEmbeddedH2File(hikari.getJdbcUrl())) {
                    return new InterruptShieldedDataSource(hikari);
                }
                return bean;
            }
        };
    }

    static boolean isEmbeddedH2File(String url) {
        return url != null && url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:")
                && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:");
    }

    /** For stores this module opens itself (the key vault). */
    public static DataSource shieldIfEmbeddedH2(HikariDataSource dataSource) {
        return isEmbeddedH2File(dataSource.getJdbcUrl()) ? new InterruptShieldedDataSource(dataSource) : dataSource;
    }
}
