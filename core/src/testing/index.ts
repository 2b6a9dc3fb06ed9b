/** @okno/core/testing — what integrators need to test plugins against a real core. */
export { startTestApp, type TestApp } from './app.js';
export { runChannelConformance, newProbe, type ChannelHarness, type InboundProbe, type FarSideMessage, type TapLike } from './conformance.js';
export { SimEdgeAgent, SAMPLE_MODEM, SAMPLE_HEADSET, type SimEdgeAgentOptions, type SimCommandHandler, type SimReceivedFax } from './edge-agent.js';
