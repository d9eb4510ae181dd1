// Wire shapes of the sites routes.
export {};
