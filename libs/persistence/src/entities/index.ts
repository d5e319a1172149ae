/** Every TypeORM entity of erpsync. Add new ones here. */
export const allEntities: (new () => object)[] = [];
