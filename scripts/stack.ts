/** `npm run stack`: start the stack alone and print how to reach it (for manual work), until Ctrl-C. */
import { startStack, stopOnExit } from '../stack/index.js';

const stack = await startStack();
stopOnExit(stack);
console.log(`KAFKA_BROKERS=${stack.kafkaBrokers.join(',')}`);
console.log(`SCHEMA_REGISTRY_URL=${stack.schemaRegistryUrl}`);
console.log(`DATABASE_URL=${stack.databaseUrl}`);
console.log('Ctrl-C stops it.');
setInterval(() => undefined, 1 << 30);
