// Placeholder entry so the CDK app can bundle something before the real handler lands (issue 3 replaces this file).
export const handler = async (): Promise<never> => {
  throw new Error('netrecon handler is not wired yet');
};
