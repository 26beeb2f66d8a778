/**
 * The entry of server/out/dockerode.js: dockerode, with the gRPC library it carries for BuildKit
 * sessions exposed as `.grpc` (buildkit-session.ts serves the build context with it), so the
 * server bundles load neither until the first Docker call.
 */
import Docker = require('dockerode');
import * as grpc from '@grpc/grpc-js';

export = Object.assign(Docker, { grpc });
