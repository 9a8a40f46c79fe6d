import { describeLifecycleContract } from './helpers/lifecycle-contract';
import { postgresBackend, sqliteFileBackend, sqliteMemoryBackend } from './helpers/backends';

describeLifecycleContract(sqliteFileBackend());
describeLifecycleContract(sqliteMemoryBackend());
describeLifecycleContract(postgresBackend());
