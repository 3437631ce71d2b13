package io.eskafka.kafka.serde;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Encodes and decodes Avro {@link SpecificRecord}s in the Confluent wire format, so topics stay
 * readable by the Kafka ecosystem's tools: one magic byte {@code 0x00}, the writer schema's
 * registry id as a 4-byte big-endian int, then the Avro binary encoding of the record.
 *
 * <p><b>Subjects</b> follow Confluent's {@code TopicRecordNameStrategy}:
 * {@code <topic>-<record full name>} (see {@link #subjectName(String, Schema)}), because one event
 * topic carries several record types.
 *
 * <p><b>Registration:</b> by default the writer schema is registered under its subject the first
 * time a record type is written to a topic (auto-registration). With
 * {@link Builder#autoRegister(boolean) autoRegister(false)} the serde only looks up the id of an
 * identical schema already registered under the subject and fails with a
 * {@link SerializationException} when there is none: for deployments where schemas are registered
 * by a build or deploy step, never by running applications.
 *
 * <p><b>Decoding</b> reads the writer schema by id (fetched once per id and cached) and resolves it
 * into a reader schema with Avro schema resolution, so a record written with an older schema
 * version is read into the current generated class (fields added with a default get the default).
 * {@link #deserialize(String, byte[])} picks the generated class named by the writer schema's full
 * name; {@link #deserialize(String, byte[], Class)} reads into a class the caller names.
 *
 * <p><b>Upcasting:</b> {@link #deserializeEvents(String, byte[])} also applies the
 * {@link Upcasters} given to the builder, for changes schema resolution cannot express (an event
 * type renamed or split). Everything in the toolkit that reads events reads them through it.
 *
 * <p><b>Avro class trust:</b> Avro 1.12 only instantiates classes its global
 * {@link org.apache.avro.util.ClassSecurityValidator} trusts, which by default excludes every
 * generated class unless the {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property names
 * its package. This serde widens the validator itself, so users set no JVM flags: when it has
 * decided to decode into a generated record class, it trusts exactly that class and the generated
 * record, enum and fixed classes its schema refers to (found via the class's own class loader).
 * No package and no class named only by incoming bytes is trusted: a writer schema name must
 * resolve to a {@link SpecificRecord} implementation before anything is trusted. The widening is
 * process-wide and permanent, like the system property it replaces.
 *
 * <p><b>Threading:</b> instances are thread-safe and meant to be shared by all Kafka Streams
 * threads of an application. Schema ids, writer schemas and datum readers/writers are cached in
 * concurrent maps. The first use of a record type or schema id may block on the
 * {@link SchemaRegistry}; later uses do not touch it.
 */
public final class AvroSerde {

  /** The first byte of every Confluent-framed payload. */
  public static final byte MAGIC_BYTE = 0x0;

  /** Magic byte plus 4-byte schema id. */
  private static final int HEADER_SIZE = 5;

  // Buffers that grew past this for one huge record are dropped rather than kept per thread.
  private static final int MAX_RETAINED_BUFFER = 64 * 1024;

  private final SchemaRegistry registry;
  private final boolean autoRegister;
  private final ClassLoader classLoader;
  private final Upcasters upcasters;

  private final ConcurrentHashMap<TopicSchema, Integer> idByTopicSchema = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Schema, DatumWriter<SpecificRecord>> writerBySchema = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Schema> writerSchemaById = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, DatumReader<SpecificRecord>> readerById = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Class<?>, ConcurrentHashMap<Integer, DatumReader<SpecificRecord>>> readerByClassAndId =
      new ConcurrentHashMap<>();
  // Upcasting only: stored events of upcast types are decoded generically, and upcasters' outputs
  // are resolved into generated classes by their own schemas (which have no registry id).
  private final ConcurrentHashMap<Integer, DatumReader<GenericRecord>> genericReaderById = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Schema, DatumReader<SpecificRecord>> readerByUpcastSchema = new ConcurrentHashMap<>();

  // BinaryEncoder/BinaryDecoder and the output buffer are mutable and not thread-safe, yet one
  // serde is shared by every stream thread. Kafka Streams runs a fixed set of long-lived threads,
  // so a ThreadLocal gives each of them its own reusable encoder, decoder and buffer with no
  // locking and ~100% reuse; the alternative (fresh objects per call) costs a buffer allocation
  // and regrowth per record. Entries die with their thread or with this serde (ThreadLocal keys
  // are weak), and oversized buffers are not retained.
  private final ThreadLocal<EncodeState> encodeState = ThreadLocal.withInitial(EncodeState::new);
  private final ThreadLocal<DecodeState> decodeState = ThreadLocal.withInitial(DecodeState::new);

  private final Serde<SpecificRecord> serde;

  private AvroSerde(Builder builder) {
    this.registry = builder.registry;
    this.autoRegister = builder.autoRegister;
    this.classLoader = builder.classLoader;
    this.upcasters = builder.upcasters;
    this.serde = Serdes.serdeFrom(new RecordSerializer<>(), new RecordDeserializer());
  }

  /**
   * Creates a serde with default options: auto-registration on, generated classes loaded from the
   * creating thread's context class loader (or this class's loader when there is none).
   *
   * @param registry the schema registry, not null
   * @return a new serde, never null
   */
  public static AvroSerde create(SchemaRegistry registry) {
    return builder(registry).build();
  }

  /**
   * Starts configuring a serde.
   *
   * @param registry the schema registry, not null
   * @return a builder with default options, never null
   */
  public static Builder builder(SchemaRegistry registry) {
    return new Builder(registry);
  }

  /**
   * Returns the subject under which a record schema written to a topic is registered
   * ({@code TopicRecordNameStrategy}): {@code <topic>-<record full name>}.
   *
   * @param topic the topic, not null
   * @param recordSchema a record schema, not null
   * @return the subject, never null
   */
  public static String subjectName(String topic, Schema recordSchema) {
    return topic + "-" + recordSchema.getFullName();
  }

  /**
   * Encodes a record for a topic, registering or looking up its schema on first use.
   *
   * @param topic the topic the bytes are written to (part of the subject), not null
   * @param record the record, may be null
   * @return the Confluent-framed bytes, or null when {@code record} is null
   * @throws SerializationException if the schema cannot be registered or (auto-registration off)
   *     is not registered, or the record cannot be encoded (e.g. a required field is null)
   */
  public byte[] serialize(String topic, SpecificRecord record) {
    if (record == null) {
      return null;
    }
    Objects.requireNonNull(topic, "topic");
    Schema schema = record.getSchema();
    int id = schemaId(topic, schema);
    DatumWriter<SpecificRecord> writer = writerBySchema.get(schema);
    if (writer == null) {
      writer = writerBySchema.computeIfAbsent(schema,
          s -> new SpecificDatumWriter<>(s, encodingModel(record.getClass())));
    }
    EncodeState state = encodeState.get();
    Buffer buffer = state.buffer;
    buffer.reset();
    buffer.write(MAGIC_BYTE);
    buffer.writeInt(id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(buffer, state.encoder);
      state.encoder = encoder;
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode " + schema.getFullName() + " for topic "
          + topic + ": " + e.getMessage(), e);
    }
    byte[] bytes = buffer.toByteArray();
    if (buffer.capacity() > MAX_RETAINED_BUFFER) {
      state.buffer = new Buffer();
    }
    return bytes;
  }

  /**
   * The model a generated class is encoded with: its own (its logical-type conversions), with
   * Avro's custom coders on, so that the class's generated {@code customEncode} writes it instead
   * of the schema-walking writer (the same bytes without looking fields and types up per value).
   * A copy, not the class's own model: that is shared with the user's code.
   * Classes without custom coders (Avro generates none for records with logical types) are
   * written the schema-walking way, with the same conversions.
   */
  private static SpecificData encodingModel(Class<?> type) {
    SpecificData own = SpecificData.getForClass(type);
    SpecificData model = new SpecificData(type.getClassLoader());
    own.getConversions().forEach(model::addLogicalTypeConversion);
    model.setCustomCoders(true);
    return model;
  }

  /**
   * Decodes bytes into the generated class named by the writer schema's full name, resolving the
   * writer schema into that class's schema.
   *
   * @param topic the topic the bytes were read from (currently informational), may be null
   * @param bytes Confluent-framed bytes, not null and not empty (tombstones are the caller's
   *     business; the {@link #asSerde() Kafka views} map null to null)
   * @return the record, never null
   * @throws AvroDecodingException if the bytes are null, empty, not Confluent-framed, truncated or
   *     corrupt; the schema id is unknown; no generated class exists for the writer record name;
   *     or the writer schema cannot be resolved into that class's schema
   */
  public SpecificRecord deserialize(String topic, byte[] bytes) {
    int id = readHeader(bytes);
    DatumReader<SpecificRecord> reader = readerById.get(id);
    if (reader == null) {
      reader = readerById.computeIfAbsent(id, this::readerForWriterClass);
    }
    return decode(reader, bytes, HEADER_SIZE, id);
  }

  /**
   * Decodes bytes into a class chosen by the caller, resolving the writer schema into that class's
   * schema (e.g. bytes written with version 1 of a record read into the version-2 class).
   *
   * @param topic the topic the bytes were read from (currently informational), may be null
   * @param bytes Confluent-framed bytes, not null and not empty
   * @param expected the generated class to read into, not null
   * @param <T> the record type
   * @return the record, never null
   * @throws AvroDecodingException for every failure listed at {@link #deserialize(String, byte[])},
   *     and when the writer record's full name is neither the expected record's full name nor one
   *     of its aliases
   */
  public <T extends SpecificRecord> T deserialize(String topic, byte[] bytes, Class<T> expected) {
    Objects.requireNonNull(expected, "expected");
    int id = readHeader(bytes);
    ConcurrentHashMap<Integer, DatumReader<SpecificRecord>> readers =
        readerByClassAndId.computeIfAbsent(expected, c -> new ConcurrentHashMap<>());
    DatumReader<SpecificRecord> reader = readers.get(id);
    if (reader == null) {
      reader = readers.computeIfAbsent(id, i -> readerForExpectedClass(i, expected));
    }
    return expected.cast(decode(reader, bytes, HEADER_SIZE, id));
  }

  /**
   * Decodes a stored event into the events it stands for today: like
   * {@link #deserialize(String, byte[])}, then the {@link Upcasters} registered for the writer
   * record type (and, in a chain, for the types they return) rewrite it. Every reader of event
   * topics in the toolkit decodes through this method.
   *
   * @param topic the topic the bytes were read from (currently informational), may be null
   * @param bytes Confluent-framed bytes, not null and not empty
   * @return the current events, in order: exactly one when no upcaster applies; possibly none or
   *     several when one does. Never null; immutable.
   * @throws AvroDecodingException for every failure listed at {@link #deserialize(String, byte[])}
   *     (for an upcaster's output: no generated class, or not resolvable into it), and when an
   *     upcaster throws or returns null
   */
  public List<SpecificRecord> deserializeEvents(String topic, byte[] bytes) {
    if (upcasters.isEmpty()) {
      return List.of(deserialize(topic, bytes));
    }
    int id = readHeader(bytes);
    Schema writer = writerSchema(id);
    if (upcasters.forType(writer.getFullName()).isEmpty()) {
      return List.of(deserialize(topic, bytes));
    }
    requireRecord(writer, id);
    DatumReader<GenericRecord> reader = genericReaderById.computeIfAbsent(id,
        i -> new GenericDatumReader<>(writer));
    GenericRecord stored = decode(reader, bytes, HEADER_SIZE, id);
    List<SpecificRecord> current = new ArrayList<>();
    upcast(stored, Set.of(), current, id);
    return List.copyOf(current);
  }

  /**
   * Whether {@link #deserializeEvents} rewrites stored events of a type: readers that filter by
   * the stored type (e.g. from a header) must not drop those before decoding.
   *
   * @param recordFullName a writer record full name, not null
   * @return true when an upcaster is registered for it
   */
  public boolean upcasts(String recordFullName) {
    return upcasters.forType(recordFullName).isPresent();
  }

  private void upcast(GenericRecord event, Set<String> applied, List<SpecificRecord> current, int id) {
    String type = event.getSchema().getFullName();
    Optional<Upcaster> upcaster = applied.contains(type)
        ? Optional.empty() : upcasters.forType(type);
    if (upcaster.isEmpty()) {
      current.add(toCurrentClass(event, id));
      return;
    }
    List<GenericRecord> rewritten;
    try {
      rewritten = upcaster.get().upcast(event);
    } catch (RuntimeException e) {
      throw new AvroDecodingException("upcaster of " + type + " failed on an event written with"
          + " schema id " + id + ": " + e, id, e);
    }
    if (rewritten == null) {
      throw new AvroDecodingException("upcaster of " + type + " returned null (schema id " + id
          + "); return an empty list to drop an event", id, null);
    }
    Set<String> nowApplied = new HashSet<>(applied);
    nowApplied.add(type);
    for (GenericRecord next : rewritten) {
      if (next == null) {
        throw new AvroDecodingException("upcaster of " + type + " returned a null event (schema id "
            + id + ")", id, null);
      }
      upcast(next, nowApplied, current, id);
    }
  }

  private SpecificRecord toCurrentClass(GenericRecord event, int id) {
    Schema schema = event.getSchema();
    DatumReader<SpecificRecord> reader = readerByUpcastSchema.get(schema);
    if (reader == null) {
      reader = readerByUpcastSchema.computeIfAbsent(schema,
          s -> newReader(id, s, recordClass(s, id)));
    }
    // Through the binary encoding rather than a field copy: it is Avro's own schema resolution
    // (defaults, aliases, promotions), the same as for any stored event. A generated instance the
    // upcaster built takes the same path, so it is also checked against the current class.
    ByteArrayOutputStream encoded = new ByteArrayOutputStream(128);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(encoded, null);
      new GenericDatumWriter<GenericRecord>(schema).write(event, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new AvroDecodingException("an upcaster returned a " + schema.getFullName()
          + " that does not match its own schema (schema id " + id + " upcast): " + e, id, e);
    }
    return decode(reader, encoded.toByteArray(), 0, id);
  }

  /**
   * Returns this serde as a Kafka {@link Serde} for any generated record. Its deserializer returns
   * null for null bytes (tombstones) and otherwise behaves like {@link #deserialize(String, byte[])};
   * its serializer is {@link #serialize(String, SpecificRecord)}. {@code configure} and
   * {@code close} do nothing: the serde is configured by its builder.
   *
   * @return the same thread-safe Kafka serde on every call, never null
   */
  public Serde<SpecificRecord> asSerde() {
    return serde;
  }

  /**
   * Returns a Kafka {@link Serde} for one generated class, e.g. for state-store values typed as
   * the aggregate's state class. Its deserializer returns null for null bytes and otherwise behaves
   * like {@link #deserialize(String, byte[], Class)}.
   *
   * @param type the generated class, not null
   * @param <T> the record type
   * @return a thread-safe Kafka serde sharing this serde's caches, never null
   */
  public <T extends SpecificRecord> Serde<T> serdeFor(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return Serdes.serdeFrom(new RecordSerializer<T>(), new TypedDeserializer<>(type));
  }

  private int schemaId(String topic, Schema schema) {
    TopicSchema key = new TopicSchema(topic, schema);
    Integer cached = idByTopicSchema.get(key);
    if (cached != null) {
      return cached;
    }
    String subject = subjectName(topic, schema);
    int id;
    try {
      if (autoRegister) {
        id = registry.register(subject, schema);
      } else {
        id = registry.lookup(subject, schema)
            .orElseThrow(() -> new SerializationException("schema of " + schema.getFullName()
                + " is not registered under subject '" + subject
                + "' and auto-registration is off: register it before writing"))
            .id();
      }
    } catch (SchemaRegistryException e) {
      throw new SerializationException("cannot " + (autoRegister ? "register" : "look up")
          + " schema of " + schema.getFullName() + " under subject '" + subject + "': "
          + e.getMessage(), e);
    }
    // Racing threads may both ask the registry; it answers both with the same id.
    idByTopicSchema.putIfAbsent(key, id);
    return id;
  }

  private static int readHeader(byte[] bytes) {
    if (bytes == null) {
      throw new AvroDecodingException("null payload: expected Confluent wire format bytes");
    }
    if (bytes.length == 0) {
      throw new AvroDecodingException("empty payload: expected Confluent wire format bytes");
    }
    if (bytes[0] != MAGIC_BYTE) {
      throw new AvroDecodingException(String.format(
          "unknown magic byte 0x%02x: not Confluent wire format (first byte must be 0x00)",
          bytes[0] & 0xff));
    }
    if (bytes.length < HEADER_SIZE) {
      throw new AvroDecodingException("truncated payload: " + bytes.length
          + " bytes, Confluent wire format needs at least 5 (magic byte and 4-byte schema id)");
    }
    return ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
  }

  private <T> T decode(DatumReader<T> reader, byte[] bytes, int offset, int id) {
    DecodeState state = decodeState.get();
    BinaryDecoder decoder = DecoderFactory.get()
        .binaryDecoder(bytes, offset, bytes.length - offset, state.decoder);
    state.decoder = decoder;
    T record;
    try {
      record = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new AvroDecodingException("corrupt payload: bytes left over after the record"
            + " (schema id " + id + "): the bytes do not match their writer schema", id, null);
      }
    } catch (EOFException e) {
      throw new AvroDecodingException("truncated payload: Avro data ends early (schema id " + id + ")", id, e);
    } catch (AvroDecodingException e) {
      throw e;
    } catch (SecurityException e) {
      throw new AvroDecodingException("Avro refused to load a class while decoding schema id " + id
          + " (org.apache.avro.util.ClassSecurityValidator): " + e.getMessage(), id, e);
    } catch (IOException | RuntimeException e) {
      throw new AvroDecodingException("corrupt payload (schema id " + id + "): " + e, id, e);
    }
    return record;
  }

  private Schema writerSchema(int id) {
    Schema schema = writerSchemaById.get(id);
    if (schema != null) {
      return schema;
    }
    // computeIfAbsent so each id is fetched once even when several threads meet it together;
    // failures are not cached, so a registry outage is retried on the next record.
    return writerSchemaById.computeIfAbsent(id, this::fetchWriterSchema);
  }

  private Schema fetchWriterSchema(int id) {
    Schema schema;
    try {
      schema = registry.getById(id);
    } catch (SchemaRegistryException e) {
      String message = e.isNotFound()
          ? "unknown schema id " + id + ": the registry does not know it"
          : "cannot fetch writer schema id " + id + " from the registry: " + e.getMessage();
      throw new AvroDecodingException(message, id, e);
    }
    if (schema == null) {
      throw new AvroDecodingException("unknown schema id " + id + ": the registry returned nothing", id, null);
    }
    return schema;
  }

  private DatumReader<SpecificRecord> readerForWriterClass(int id) {
    Schema writer = writerSchema(id);
    requireRecord(writer, id);
    return newReader(id, writer, recordClass(writer, id));
  }

  private Class<? extends SpecificRecord> recordClass(Schema writer, int id) {
    String className = SpecificData.getClassName(writer);
    Class<?> loaded;
    try {
      // initialize=false: bytes must not be able to run static initialisers of arbitrary classes.
      loaded = Class.forName(className, false, classLoader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new AvroDecodingException("no class on the classpath for writer record " + writer.getFullName()
          + " (schema id " + id + "): expected generated class " + className, id, e);
    }
    if (!SpecificRecord.class.isAssignableFrom(loaded)) {
      throw new AvroDecodingException("class " + className + " named by writer record " + writer.getFullName()
          + " (schema id " + id + ") is not an Avro SpecificRecord", id, null);
    }
    return loaded.asSubclass(SpecificRecord.class);
  }

  private DatumReader<SpecificRecord> readerForExpectedClass(int id, Class<? extends SpecificRecord> expected) {
    Schema writer = writerSchema(id);
    requireRecord(writer, id);
    Schema reader = readerSchema(expected, id);
    boolean sameRecord = writer.getFullName().equals(reader.getFullName())
        || reader.getAliases().contains(writer.getFullName());
    if (!sameRecord) {
      throw new AvroDecodingException("writer record " + writer.getFullName() + " (schema id " + id
          + ") does not match expected " + expected.getName() + " (record " + reader.getFullName()
          + ", aliases " + reader.getAliases() + ")", id, null);
    }
    return newReader(id, writer, expected);
  }

  private DatumReader<SpecificRecord> newReader(int id, Schema writer, Class<? extends SpecificRecord> type) {
    Schema reader = readerSchema(type, id);
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
      throw new AvroDecodingException("writer schema id " + id + " of " + writer.getFullName()
          + " cannot be resolved into " + type.getName() + ": "
          + compatibility.getResult().getIncompatibilities(), id, null);
    }
    // Trust before the reader is published in a cache: see AvroClassTrust on memory ordering.
    AvroClassTrust.trustTypesOf(type, reader);
    // The class's own loader finds its nested generated classes; the class's MODEL$ carries the
    // logical-type conversions it was generated with.
    SpecificData data = new SpecificData(type.getClassLoader());
    SpecificData.getForClass(type).getConversions().forEach(data::addLogicalTypeConversion);
    try {
      return new SpecificDatumReader<>(writer, reader, data);
    } catch (SecurityException e) {
      throw new AvroDecodingException("Avro refused to load a class for writer schema id " + id
          + " (org.apache.avro.util.ClassSecurityValidator): " + e.getMessage(), id, e);
    }
  }

  private static Schema readerSchema(Class<? extends SpecificRecord> type, int id) {
    try {
      return SpecificData.get().getSchema(type);
    } catch (RuntimeException e) {
      throw new AvroDecodingException("class " + type.getName() + " has no readable Avro schema (SCHEMA$)", id, e);
    }
  }

  private static void requireRecord(Schema writer, int id) {
    if (writer.getType() != Schema.Type.RECORD) {
      throw new AvroDecodingException("writer schema id " + id + " is a " + writer.getType()
          + " schema; this serde decodes records only", id, null);
    }
  }

  /**
   * Options of an {@link AvroSerde}. Not thread-safe; build on one thread, then share the serde.
   */
  public static final class Builder {

    private final SchemaRegistry registry;
    private boolean autoRegister = true;
    private ClassLoader classLoader;
    private Upcasters upcasters = Upcasters.none();

    private Builder(SchemaRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      this.classLoader = context != null ? context : AvroSerde.class.getClassLoader();
    }

    /**
     * Chooses whether writer schemas are registered on first use (default true). When false,
     * the serde looks up the id of an identical schema already registered under the subject and
     * fails clearly if there is none.
     *
     * @param autoRegister true to register, false to look up only
     * @return this builder
     */
    public Builder autoRegister(boolean autoRegister) {
      this.autoRegister = autoRegister;
      return this;
    }

    /**
     * Sets the class loader used to find the generated class named by a writer schema (default:
     * the context class loader of the thread that created the builder, else this library's).
     *
     * @param classLoader the class loader, not null
     * @return this builder
     */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    /**
     * Sets the upcasters {@link AvroSerde#deserializeEvents(String, byte[])} applies (default
     * none).
     *
     * @param upcasters the upcasters, not null
     * @return this builder
     */
    public Builder upcasters(Upcasters upcasters) {
      this.upcasters = Objects.requireNonNull(upcasters, "upcasters");
      return this;
    }

    /**
     * Creates the serde.
     *
     * @return a new thread-safe serde, never null
     */
    public AvroSerde build() {
      return new AvroSerde(this);
    }
  }

  private record TopicSchema(String topic, Schema schema) {
  }

  private static final class EncodeState {
    Buffer buffer = new Buffer();
    BinaryEncoder encoder;
  }

  private static final class DecodeState {
    BinaryDecoder decoder;
  }

  /** Like ByteArrayOutputStream without its synchronisation, which a per-thread buffer does not need. */
  private static final class Buffer extends OutputStream {
    private byte[] bytes = new byte[256];
    private int size;

    void reset() {
      size = 0;
    }

    int capacity() {
      return bytes.length;
    }

    void writeInt(int value) {
      ensure(4);
      bytes[size++] = (byte) (value >>> 24);
      bytes[size++] = (byte) (value >>> 16);
      bytes[size++] = (byte) (value >>> 8);
      bytes[size++] = (byte) value;
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
      Objects.checkFromIndexSize(offset, length, source.length);
      ensure(length);
      System.arraycopy(source, offset, bytes, size, length);
      size += length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }

    private void ensure(int extra) {
      int needed = size + extra;
      if (needed > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
      }
    }
  }

  private final class RecordSerializer<T extends SpecificRecord> implements Serializer<T> {
    @Override
    public byte[] serialize(String topic, T data) {
      return AvroSerde.this.serialize(topic, data);
    }
  }

  private final class RecordDeserializer implements Deserializer<SpecificRecord> {
    @Override
    public SpecificRecord deserialize(String topic, byte[] data) {
      return data == null ? null : AvroSerde.this.deserialize(topic, data);
    }
  }

  private final class TypedDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final Class<T> type;

    TypedDeserializer(Class<T> type) {
      this.type = type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
      return data == null ? null : AvroSerde.this.deserialize(topic, data, type);
    }
  }
}
