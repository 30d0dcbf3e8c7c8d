export declare function importESM<T = unknown>(specifier: string): Promise<T>;
