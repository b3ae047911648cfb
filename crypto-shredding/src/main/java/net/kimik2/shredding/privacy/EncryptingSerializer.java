package net.kimik2.shredding.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.serialization.Converter;
import org.axonframework.serialization.SerializationException;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.UnknownSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Axon's Jackson serializer with crypto-shredding: every {@link net.kimik2.api.privacy.PersonalData} field is
 * encrypted on the way out (events, snapshots, sagas, dead letters, deadline payloads and distributed messages all
 * pass through here) and decrypted on the way in, yielding replacement values once a subject's key is destroyed.
 * Types without personal data take the plain Jackson path untouched.
 */
public class EncryptingSerializer implements Serializer {

    private final JacksonSerializer delegate;
    private final ObjectMapper mapper;
    private final PersonalDataProtector protector;

    public EncryptingSerializer(JacksonSerializer delegate, PersonalDataProtector protector) {
        this.delegate = delegate;
        this.mapper = delegate.getObjectMapper();
        this.protector = protector;
    }

    @Override
    public <T> SerializedObject<T> serialize(Object object, Class<T> expectedRepresentation) {
        if (object == null || !protector.protects(object.getClass())) {
            return delegate.serialize(object, expectedRepresentation);
        }
        JsonNode tree = mapper.valueToTree(object);
        protector.encrypt(tree, object.getClass());
        SerializedType type = typeForClass(object.getClass());
        try {
            if (String.class.equals(expectedRepresentation)) {
                @SuppressWarnings("unchecked")
                T text = (T) mapper.writeValueAsString(tree);
                return new SimpleSerializedObject<>(text, expectedRepresentation, type);
            }
            if (JsonNode.class.equals(expectedRepresentation)) {
                return new SimpleSerializedObject<>(expectedRepresentation.cast(tree), expectedRepresentation, type);
            }
            byte[] bytes = mapper.writeValueAsBytes(tree);
            return new SimpleSerializedObject<>(getConverter().convert(bytes, expectedRepresentation),
                    expectedRepresentation, type);
        } catch (JsonProcessingException e) {
            throw new SerializationException("Unable to serialize object", e);
        }
    }

    @Override
    public <S, T> T deserialize(SerializedObject<S> serializedObject) {
        if (SerializedType.emptyType().equals(serializedObject.getType())) {
            return null;
        }
        Class<?> type = classForType(serializedObject.getType());
        if (UnknownSerializedType.class.isAssignableFrom(type) || !protector.protects(type)) {
            return delegate.deserialize(serializedObject);
        }
        JsonNode tree = getConverter().convert(serializedObject, JsonNode.class).getData();
        if (JsonNode.class.equals(serializedObject.getContentType())) {
            tree = tree.deepCopy(); // an upcaster's intermediate tree may be shared: never decrypt it in place
        }
        protector.decrypt(tree, type);
        return delegate.deserialize(new SimpleSerializedObject<>(tree, JsonNode.class, serializedObject.getType()));
    }

    @Override
    public <T> boolean canSerializeTo(Class<T> expectedRepresentation) {
        return delegate.canSerializeTo(expectedRepresentation);
    }

    @Override
    public Class classForType(SerializedType type) {
        return delegate.classForType(type);
    }

    @Override
    public SerializedType typeForClass(Class type) {
        return delegate.typeForClass(type);
    }

    @Override
    public Converter getConverter() {
        return delegate.getConverter();
    }

    public PersonalDataProtector protector() {
        return protector;
    }
}
