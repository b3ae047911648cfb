package net.kimik2.graphql.platform.schema;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;

/** {@code Long} (64-bit integer, for credits) and {@code DateTime} (ISO-8601 instant in UTC). */
@Configuration(proxyBeanMethods = false)
class Scalars {

    @Bean
    RuntimeWiringConfigurer scalarWiring() {
        return wiring -> wiring.scalar(longScalar()).scalar(dateTimeScalar());
    }

    static GraphQLScalarType longScalar() {
        return GraphQLScalarType.newScalar().name("Long").description("64-bit signed integer")
                .coercing(new Coercing<Long, Long>() {
                    @Override
                    public Long serialize(Object value, GraphQLContext context, Locale locale) {
                        if (value instanceof Long || value instanceof Integer || value instanceof Short) {
                            return ((Number) value).longValue();
                        }
                        throw new CoercingSerializeException("not a Long");
                    }

                    @Override
                    public Long parseValue(Object input, GraphQLContext context, Locale locale) {
                        if (input instanceof Long || input instanceof Integer || input instanceof Short) {
                            return ((Number) input).longValue();
                        }
                        if (input instanceof BigInteger big && big.bitLength() < 64) {
                            return big.longValue();
                        }
                        throw new CoercingParseValueException("expected a 64-bit integer");
                    }

                    @Override
                    public Long parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                                             Locale locale) {
                        if (input instanceof IntValue iv && iv.getValue().bitLength() < 64) {
                            return iv.getValue().longValue();
                        }
                        throw new CoercingParseLiteralException("expected a 64-bit integer");
                    }
                }).build();
    }

    static GraphQLScalarType dateTimeScalar() {
        return GraphQLScalarType.newScalar().name("DateTime").description("ISO-8601 instant, e.g. 2026-11-28T10:00:00Z")
                .coercing(new Coercing<Instant, String>() {
                    @Override
                    public String serialize(Object value, GraphQLContext context, Locale locale) {
                        if (value instanceof Instant instant) {
                            return instant.toString();
                        }
                        throw new CoercingSerializeException("not an Instant");
                    }

                    @Override
                    public Instant parseValue(Object input, GraphQLContext context, Locale locale) {
                        return parse(String.valueOf(input));
                    }

                    @Override
                    public Instant parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                                                Locale locale) {
                        if (input instanceof StringValue sv) {
                            return parse(sv.getValue());
                        }
                        throw new CoercingParseLiteralException("expected an ISO-8601 string");
                    }

                    private Instant parse(String text) {
                        try {
                            return Instant.parse(text);
                        } catch (DateTimeParseException e) {
                            throw new CoercingParseValueException("expected an ISO-8601 instant");
                        }
                    }
                }).build();
    }
}
