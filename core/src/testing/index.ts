/** @okno/core/testing — what integrators need to test plugins against a real core. */
export { startTestApp, type TestApp } from './app.js';
export { runChannelConformance, newProbe, type ChannelHarness, type InboundProbe, type FarSideMessage, type TapLike } from './conformance.js';
