# The eskafka runnable jar in a JRE image; docker-compose.yml runs it as the bank example app.
# Build the jar first (the image copies it, it does not run Maven):
#   mvn -B -q -DskipTests package
#   docker compose up --build
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY cli/target/eskafka.jar /app/eskafka.jar
# RocksDB state survives container restarts when this is a volume (see docker-compose.yml).
RUN mkdir -p /var/lib/eskafka
ENV ESKAFKA_STATE_DIR=/var/lib/eskafka
EXPOSE 8080
# Exec form: java is PID 1 and gets docker stop's SIGTERM, so the shutdown hook closes Kafka
# Streams gracefully (open transactions commit or abort).
ENTRYPOINT ["java", "-Xmx512m", "-XX:+UseSerialGC", "-jar", "/app/eskafka.jar"]
CMD ["run", "bank"]
