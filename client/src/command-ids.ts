/** Every command the manifest contributes; the client registers each at activation. */
export const COMMAND_IDS = ['layerwise.restartServer', 'layerwise.showOutput', 'layerwise.showRuleDocumentation', 'layerwise.buildImage', 'layerwise.convertToMultiStage', 'layerwise.analyzeImage'] as const;
export type CommandId = (typeof COMMAND_IDS)[number];
